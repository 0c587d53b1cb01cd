// NPY: the .npy writer and its strict reader (format described at
// numpy.org/doc/stable/reference/generated/numpy.lib.format.html).
//
// Invariant: the header is a Python dict literal with exactly the keys descr, fortran_order and
// shape; only '<f4' and '<f8' (and '=' / native spellings on this little-endian host) are read;
// the body must hold exactly product(shape) items.
#include "npy.h"

#include <charconv>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <regex>

namespace bnbench {

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;

std::string header_text(DType dtype, const std::vector<int64_t>& shape) {
  std::string h = "{'descr': '" + std::string(dtype == DType::f32 ? "<f4" : "<f8") +
                  "', 'fortran_order': False, 'shape': " + npy_shape_text(shape) + ", }";
  // Magic (6) + version (2) + length (2) + header + '\n' padded to a multiple of 64 bytes.
  const size_t unpadded = kMagicSize + 4 + h.size() + 1;
  h.append((64 - unpadded % 64) % 64, ' ');
  return h + "\n";
}

int64_t product(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

// Parses "(2, 3)" / "()" / "(5,)" into dims; false when malformed or when the byte count of
// product(dims) float64 items would not fit in an int64_t.
bool parse_shape_tuple(const std::string& text, std::vector<int64_t>& shape) {
  static const std::regex tuple(R"(\(\s*((\d+\s*,\s*)*\d+\s*,?)?\s*\))");
  if (!std::regex_match(text, tuple)) return false;
  shape.clear();
  static const std::regex number(R"(\d+)");
  constexpr int64_t kMaxItems = std::numeric_limits<int64_t>::max() / 8;
  int64_t items = 1;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), number);
       it != std::sregex_iterator(); ++it) {
    const std::string digits = it->str();
    int64_t dim = 0;
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), dim);
    if (error != std::errc() || (dim != 0 && items > kMaxItems / dim)) return false;
    items *= dim;
    shape.push_back(dim);
  }
  return true;
}

}  // namespace

int64_t NpyArray::count() const { return product(shape); }

double NpyArray::get(int64_t i) const {
  if (dtype == DType::f32) {
    float v;
    std::memcpy(&v, data.data() + i * 4, 4);
    return v;
  }
  double v;
  std::memcpy(&v, data.data() + i * 8, 8);
  return v;
}

std::string npy_shape_text(const std::vector<int64_t>& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  if (shape.size() == 1) s += ",";
  return s + ")";
}

std::string npy_dtype_text(DType t) { return t == DType::f32 ? "float32" : "float64"; }

void write_npy(const std::string& path, DType dtype, const std::vector<int64_t>& shape,
               const void* data) {
  std::ofstream out(path, std::ios::binary);
  if (!out) throw NpyError(path + ": cannot open for writing");
  const std::string header = header_text(dtype, shape);
  const uint16_t length = static_cast<uint16_t>(header.size());
  out.write(kMagic, kMagicSize);
  out.put(1).put(0);
  out.put(static_cast<char>(length & 0xff)).put(static_cast<char>(length >> 8));
  out << header;
  out.write(static_cast<const char*>(data),
            static_cast<std::streamsize>(product(shape) * dtype_size(dtype)));
  if (!out) throw NpyError(path + ": write failed");
}

NpyArray read_npy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw NpyError(path + ": cannot open");
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() < kMagicSize + 4 || std::memcmp(bytes.data(), kMagic, kMagicSize) != 0)
    throw NpyError(path + ": not a .npy file (no \\x93NUMPY magic)");
  const int major = static_cast<unsigned char>(bytes[6]);
  size_t header_length = 0, header_start = 0;
  if (major == 1) {
    header_length = static_cast<unsigned char>(bytes[8]) |
                    static_cast<size_t>(static_cast<unsigned char>(bytes[9])) << 8;
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) throw NpyError(path + ": truncated header");
    for (int k = 0; k < 4; ++k)
      header_length |= static_cast<size_t>(static_cast<unsigned char>(bytes[8 + k])) << (8 * k);
    header_start = 12;
  } else {
    throw NpyError(path + ": unsupported .npy format version " + std::to_string(major));
  }
  if (bytes.size() < header_start + header_length) throw NpyError(path + ": truncated header");
  const std::string header(bytes.data() + header_start, header_length);

  std::smatch m;
  static const std::regex descr_re(R"('descr'\s*:\s*'([^']*)')");
  static const std::regex fortran_re(R"('fortran_order'\s*:\s*(True|False))");
  static const std::regex shape_re(R"('shape'\s*:\s*(\([^)]*\)))");
  if (!std::regex_search(header, m, descr_re)) throw NpyError(path + ": header has no 'descr'");
  const std::string descr = m[1];
  NpyArray a;
  if (descr == "<f4" || descr == "=f4" || descr == "f4")
    a.dtype = DType::f32;
  else if (descr == "<f8" || descr == "=f8" || descr == "f8")
    a.dtype = DType::f64;
  else
    throw NpyError(path + ": dtype '" + descr +
                   "' is not supported (little-endian float32 '<f4' or float64 '<f8' only; in "
                   "NumPy: a.astype(np.float32))");
  if (!std::regex_search(header, m, fortran_re))
    throw NpyError(path + ": header has no 'fortran_order'");
  if (m[1] == "True")
    throw NpyError(path + ": Fortran-order array (save np.ascontiguousarray(a) instead)");
  if (!std::regex_search(header, m, shape_re) || !parse_shape_tuple(m[1], a.shape))
    throw NpyError(path + ": header has no readable 'shape'");
  const size_t body_start = header_start + header_length;
  const size_t expected = static_cast<size_t>(a.count()) * dtype_size(a.dtype);
  const size_t body = bytes.size() - body_start;
  if (body < expected)
    throw NpyError(path + ": truncated body: shape " + npy_shape_text(a.shape) + " of " +
                   npy_dtype_text(a.dtype) + " needs " + std::to_string(expected) +
                   " bytes, the file has " + std::to_string(body));
  if (body > expected)
    throw NpyError(path + ": " + std::to_string(body - expected) +
                   " bytes after the data of shape " + npy_shape_text(a.shape));
  a.data.resize(expected);
  if (expected) std::memcpy(a.data.data(), bytes.data() + body_start, expected);
  return a;
}

NpyArray read_npy_expecting(const std::string& path, DType dtype, const std::vector<int64_t>& shape,
                            const std::string& axes) {
  NpyArray a = read_npy(path);
  if (a.dtype != dtype || a.shape != shape)
    throw NpyError(path + ": expected " + npy_dtype_text(dtype) + " with shape " +
                   npy_shape_text(shape) + " " + axes + ", got " + npy_dtype_text(a.dtype) +
                   " with shape " + npy_shape_text(a.shape));
  return a;
}

}  // namespace bnbench

#include "comm/Comm.h"

#include <algorithm>

namespace scaleml {
namespace {

template <class T>
void ReduceTyped(T* inout, const T* in, std::size_t count, ReduceOp op) {
  switch (op) {
    case ReduceOp::kSum:
      for (std::size_t i = 0; i < count; ++i) inout[i] += in[i];
      break;
    case ReduceOp::kMin:
      for (std::size_t i = 0; i < count; ++i) inout[i] = std::min(inout[i], in[i]);
      break;
    case ReduceOp::kMax:
      for (std::size_t i = 0; i < count; ++i) inout[i] = std::max(inout[i], in[i]);
      break;
  }
}

}  // namespace

std::size_t DataTypeSize(DataType type) {
  switch (type) {
    case DataType::kFloat32:
    case DataType::kInt32:
      return 4;
    case DataType::kFloat64:
    case DataType::kInt64:
    case DataType::kUInt64:
      return 8;
  }
  return 1;
}

const char* DataTypeName(DataType type) {
  switch (type) {
    case DataType::kFloat32:
      return "float32";
    case DataType::kFloat64:
      return "float64";
    case DataType::kInt32:
      return "int32";
    case DataType::kInt64:
      return "int64";
    case DataType::kUInt64:
      return "uint64";
  }
  return "?";
}

const char* ReduceOpName(ReduceOp op) {
  switch (op) {
    case ReduceOp::kSum:
      return "sum";
    case ReduceOp::kMin:
      return "min";
    case ReduceOp::kMax:
      return "max";
  }
  return "?";
}

void ReduceInto(void* inout, const void* in, std::size_t count, DataType type, ReduceOp op) {
  switch (type) {
    case DataType::kFloat32:
      ReduceTyped(static_cast<float*>(inout), static_cast<const float*>(in), count, op);
      break;
    case DataType::kFloat64:
      ReduceTyped(static_cast<double*>(inout), static_cast<const double*>(in), count, op);
      break;
    case DataType::kInt32:
      ReduceTyped(static_cast<std::int32_t*>(inout), static_cast<const std::int32_t*>(in), count,
                  op);
      break;
    case DataType::kInt64:
      ReduceTyped(static_cast<std::int64_t*>(inout), static_cast<const std::int64_t*>(in), count,
                  op);
      break;
    case DataType::kUInt64:
      ReduceTyped(static_cast<std::uint64_t*>(inout), static_cast<const std::uint64_t*>(in), count,
                  op);
      break;
  }
}

}  // namespace scaleml

// The one binary form of a Schema (data/Schema.h), shared by model files (algo/Registry.cc,
// docs/model-format.md) and the binary cache so that both store column types, category
// dictionaries and class names the same way, with the same checks.
//
// Layout (little-endian, through core/BinaryIO.h): u32 format version; u64 column count, per
// column {string name, u8 ColumnType, u8 is_target, u8 has_time}; u64 feature count, per feature
// {u8 FeatureKind, u64 category count, strings}; u64 class count, strings. Strings are a u64
// length and the bytes.
// Thread-safety: reentrant functions.
#pragma once

#include "core/BinaryIO.h"
#include "data/Schema.h"

namespace scaleml {

// Appends `schema` to `out`.
void WriteSchema(BinaryWriter& out, const Schema& schema);

// Reads a schema written by WriteSchema. A truncated or corrupt one (unknown version or enum
// value, a count larger than the bytes left, a dictionary not sorted or with duplicates) is an
// input error naming the reader's source and offset; nothing is allocated from an unchecked count.
Schema ReadSchema(BinaryReader& in);

// The same fields without the leading format version: what model files of version 2 stored
// (their schema had no version of its own); the same checks as ReadSchema.
Schema ReadSchemaFields(BinaryReader& in);

}  // namespace scaleml

// The Schema (data/Schema.h) inside a model file. Interim: the helper "cache" is writing the
// project's one Schema serializer (WriteSchema/ReadSchema, data/SchemaIO.h); until it lands the
// model file uses this one, and the two are to be unified at merge (the model file's layout is
// documented in docs/model-format.md, so whichever survives must keep that layout or bump the
// model file version).
// Thread-safety: pure functions.
#pragma once

#include "algo/BinaryIO.h"
#include "data/Schema.h"

namespace scaleml {

// Columns (count; name, type u8, is_target u8, has_time u8), features (count; kind u8,
// categories as a count and strings), classes (count and strings).
void WriteModelSchema(BinaryWriter& out, const Schema& schema);
// Reads what WriteModelSchema wrote; an input error (BinaryReader::Corrupt) for impossible values:
// an unknown type or kind, unsorted categories, a category list on a numeric feature.
Schema ReadModelSchema(BinaryReader& in);

}  // namespace scaleml

// A secret read from a file, the way operators hand secrets to processes (a Kubernetes Secret
// mounted as a file, a file in the job's home): the file must be a regular file owned by this
// user and not readable or writable by group or others, or it is refused with a message that
// says how to fix it. Surrounding whitespace is trimmed. The token itself never appears in any
// message. Thread-safety: reentrant.
#pragma once

#include <string>

namespace scaleml {

// Throws an InputError naming the file (never its contents).
std::string ReadTokenFile(const std::string& path);

}  // namespace scaleml

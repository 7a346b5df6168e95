#include "core/TokenFile.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/Error.h"

namespace scaleml {

std::string ReadTokenFile(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) throw InputError("token file ", path, ": ", std::strerror(errno));
  struct stat st {};
  fstat(fd, &st);
  std::string problem;
  if (!S_ISREG(st.st_mode)) {
    problem = "is not a regular file";
  } else if (st.st_uid != geteuid()) {
    problem = "belongs to another user";
  } else if ((st.st_mode & 077) != 0) {
    problem = "is readable or writable by others (chmod 600 it)";
  } else if (st.st_size > 4096) {
    problem = "is larger than 4 KiB (a token is one line)";
  }
  std::string token;
  if (problem.empty()) {
    token.resize(static_cast<std::size_t>(st.st_size));
    const ssize_t n = read(fd, token.data(), token.size());
    if (n < 0) problem = std::strerror(errno);
    token.resize(n < 0 ? 0 : static_cast<std::size_t>(n));
  }
  close(fd);
  if (!problem.empty()) throw InputError("token file ", path, " ", problem);
  const std::size_t begin = token.find_first_not_of(" \t\r\n");
  const std::size_t end = token.find_last_not_of(" \t\r\n");
  if (begin == std::string::npos) throw InputError("token file ", path, " is empty");
  return token.substr(begin, end - begin + 1);
}

}  // namespace scaleml

// Splits master-file text into entries (one record or directive each) following RFC 1035 5.1:
// `;` comments, parentheses continuing an entry over several lines, quoted strings, backslash
// escapes. Tokens point into the text, so reading a file allocates nothing per token.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace rootd::zone {

struct Token {
  std::string_view text;  // quotes removed, backslash escapes kept as written
  uint32_t line = 0;
  bool quoted = false;
  bool escaped = false;  // `text` holds a backslash, so it needs decoding
};

struct Entry {
  std::vector<Token> tokens;  // never empty for a returned entry
  uint32_t line = 0;          // line of the first token
  bool owner_omitted = false; // the line starts with a blank: the previous owner applies
};

// "FILE:LINE: reason", the shape of every syntax error the reader returns.
absl::Status SyntaxError(std::string_view file, uint32_t line, std::string_view reason);

class MasterLexer {
 public:
  // `file` names the text in messages.
  MasterLexer(std::string_view text, std::string_view file) : text_(text), file_(file) {}

  // Fills `entry` with the next entry that has tokens. Returns false at the end of the text
  // or on an error, which is then in `status`.
  bool Next(Entry& entry, absl::Status& status);

 private:
  void StartLine();
  bool QuotedToken(Entry& entry, absl::Status& status);
  void PlainToken(Entry& entry);
  void AddToken(Entry& entry, Token token);

  std::string_view text_;
  std::string_view file_;
  size_t pos_ = 0;
  uint32_t line_ = 1;
  int depth_ = 0;           // open parentheses
  uint32_t paren_line_ = 0; // where the outermost open parenthesis is
  bool line_starts_blank_ = false;
  bool started_ = false;
};

}  // namespace rootd::zone

#include "zone/master_lexer.h"

#include <array>

#include "zone/text.h"

namespace rootd::zone {

namespace {

// Characters that end an unquoted token, and the backslash, which needs a closer look.
constexpr std::array<bool, 256> kStopsPlainScan = [] {
  std::array<bool, 256> t{};
  for (char c : std::string_view(" \t\r\n;()\"\\")) t[static_cast<uint8_t>(c)] = true;
  return t;
}();

}  // namespace

absl::Status SyntaxError(std::string_view file, uint32_t line, std::string_view reason) {
  return absl::InvalidArgumentError(Cat(file, ":", line, ": ", reason));
}

void MasterLexer::StartLine() {
  line_starts_blank_ = pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t');
}

void MasterLexer::AddToken(Entry& entry, Token token) {
  if (entry.tokens.empty()) {
    entry.line = token.line;
    entry.owner_omitted = line_starts_blank_;
  }
  entry.tokens.push_back(token);
}

bool MasterLexer::Next(Entry& entry, absl::Status& status) {
  entry.tokens.clear();
  if (!started_) {
    started_ = true;
    StartLine();
  }
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    switch (c) {
      case ' ':
      case '\t':
      case '\r':
        ++pos_;
        break;
      case '\n':
        ++pos_;
        ++line_;
        StartLine();
        if (depth_ == 0 && !entry.tokens.empty()) return true;
        break;
      case ';': {
        const size_t eol = text_.find('\n', pos_);
        pos_ = eol == std::string_view::npos ? text_.size() : eol;
        break;
      }
      case '(':
        if (depth_++ == 0) paren_line_ = line_;
        ++pos_;
        break;
      case ')':
        if (depth_ == 0) {
          status = SyntaxError(file_, line_, "unbalanced ')'");
          return false;
        }
        --depth_;
        ++pos_;
        break;
      case '"':
        if (!QuotedToken(entry, status)) return false;
        break;
      default:
        PlainToken(entry);
        break;
    }
  }
  if (depth_ > 0) {
    status = SyntaxError(file_, paren_line_, "unterminated parenthesis");
    return false;
  }
  return !entry.tokens.empty();
}

bool MasterLexer::QuotedToken(Entry& entry, absl::Status& status) {
  const size_t start = ++pos_;
  bool escaped = false;
  // A quoted string ends on its own line: running past it is almost always a missing quote,
  // and reporting it here keeps the line number useful.
  while (pos_ < text_.size() && text_[pos_] != '"' && text_[pos_] != '\n') {
    if (text_[pos_] == '\\' && pos_ + 1 < text_.size() && text_[pos_ + 1] != '\n') {
      escaped = true;
      ++pos_;
    }
    ++pos_;
  }
  if (pos_ >= text_.size() || text_[pos_] != '"') {
    status = SyntaxError(file_, line_, "unterminated quoted string");
    return false;
  }
  AddToken(entry, Token{text_.substr(start, pos_ - start), line_, true, escaped});
  ++pos_;
  return true;
}

void MasterLexer::PlainToken(Entry& entry) {
  const size_t start = pos_;
  bool escaped = false;
  for (;;) {
    while (pos_ < text_.size() && !kStopsPlainScan[static_cast<uint8_t>(text_[pos_])]) ++pos_;
    // A backslash protects the next character (`\;`, `\ `), except a line end.
    if (pos_ >= text_.size() || text_[pos_] != '\\') break;
    escaped = true;
    pos_ += (pos_ + 1 < text_.size() && text_[pos_ + 1] != '\n') ? 2 : 1;
  }
  AddToken(entry, Token{text_.substr(start, pos_ - start), line_, false, escaped});
}

}  // namespace rootd::zone

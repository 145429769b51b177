// Owning pointers to C library objects (OpenSSL, libxml2, ldns), each freed by its library's
// own function: CPtr<EVP_MD_CTX, EVP_MD_CTX_free>. The deleter is empty, so a CPtr is one pointer.
#pragma once
#include <memory>

namespace rootd::zone {

template <auto Free>
struct FreeWith {
  template <typename T>
  void operator()(T* p) const { Free(p); }
};

template <typename T, auto Free>
using CPtr = std::unique_ptr<T, FreeWith<Free>>;

}  // namespace rootd::zone

// SipHash-2-4 (Aumasson and Bernstein), the keyed hash RFC 9018 uses for DNS server cookies.
#pragma once
#include <cstddef>
#include <cstdint>

namespace rootd::server {

uint64_t SipHash24(const uint8_t key[16], const uint8_t* data, size_t size);

}  // namespace rootd::server

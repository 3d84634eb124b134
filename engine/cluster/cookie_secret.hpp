#pragma once
// The sticky-cookie secret of a run. switchyard-lb draws a random one per start when none is
// configured, so a restarted balancer (or a second one behind the same address) would not
// recognise the cookies the first one signed and would place every client afresh. The engine
// writes one secret per run and hands the file to every balancer start.
#include <filesystem>

namespace switchyard::cluster {

/// Writes 32 random bytes (hex) to `dir`/cookie-secret, readable by the owner only, and returns
/// the path. Throws std::runtime_error naming the file when it cannot be written.
std::filesystem::path write_cookie_secret(const std::filesystem::path& dir);

}  // namespace switchyard::cluster

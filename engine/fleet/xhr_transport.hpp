#pragma once
// SockJS xhr transports in native mode: xhr-polling (`xhr` answered per batch) and xhr-streaming
// (`xhr_streaming` answered with a long chunked body), both sending with `xhr_send`. Each
// request carries the client's cookie jar, so the balancer's affinity cookie keeps the session's
// requests on one relay; a request that reaches another relay shows up as the session opening a
// second time (xhr) or as a 404 (xhr_send), and is reported as a sticky violation.
#include "engine/fleet/transport.hpp"

namespace switchyard::fleet {

/// Reason prefix of a disconnect caused by a session's requests reaching two relays.
inline constexpr std::string_view sticky_violation_reason = "sticky violation";

std::shared_ptr<client_transport> make_xhr_transport(transport_params params, bool streaming);

}  // namespace switchyard::fleet

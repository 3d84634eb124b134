#pragma once
// WebSocket transports: native `/ws`, and SockJS `/sockjs/<server>/<session>/websocket` speaking
// native mode inside SockJS framing. Plain TCP or TLS from the target URL.
#include "engine/fleet/transport.hpp"

namespace switchyard::fleet {

/// `sockjs` false: native /ws. True: the SockJS websocket transport in native mode (the first
/// frame after `o` is a ping, answered with hello).
std::shared_ptr<client_transport> make_ws_transport(transport_params params, bool sockjs);

/// Path and query for a SockJS session request: <prefix>/sockjs/<server>/<session>/<kind>
/// ?client=<id>. `server` and `session` are drawn from the worker's seeded generator.
std::string sockjs_session_path(const transport_params& params, std::string_view kind,
                                std::string_view server, std::string_view session);
/// A random SockJS server id (3 digits) and session id (16 [a-z0-9]).
std::string random_sockjs_server(policy::fast_rng& rng);
std::string random_sockjs_session(policy::fast_rng& rng);

}  // namespace switchyard::fleet

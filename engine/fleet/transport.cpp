#include "engine/fleet/transport.hpp"

#include "engine/fleet/sockjs_framing.hpp"
#include "engine/fleet/ws_transport.hpp"
#include "engine/fleet/xhr_transport.hpp"

namespace switchyard::fleet {

worker_context::worker_context(client_observer& obs, std::chrono::steady_clock::time_point ep,
                               std::uint64_t seed)
    : tls_insecure(boost::asio::ssl::context::tls_client),
      tls_verified(boost::asio::ssl::context::tls_client),
      rng(seed),
      observer(obs),
      epoch(ep) {
    tls_insecure.set_verify_mode(boost::asio::ssl::verify_none);
    tls_verified.set_default_verify_paths();
    tls_verified.set_verify_mode(boost::asio::ssl::verify_peer);
}

sockjs_frame_result dispatch_sockjs_frame(std::string_view text, const transport_params& params,
                                          const bool& closed) {
    sockjs_frame_result result;
    sockjs_frame frame = parse_sockjs_frame(text);
    switch (frame.kind) {
        case sockjs_frame::open_frame:
            result.opened = true;
            break;
        case sockjs_frame::heartbeat_frame:
            break;
        case sockjs_frame::message_frame:
            for (const auto& m : frame.messages) {
                if (closed || params.events == nullptr) {
                    break;
                }
                params.events->on_transport_frame(m);
            }
            break;
        case sockjs_frame::close_frame:
            result.failure = "sockjs close " + std::to_string(frame.code) + " " + frame.reason;
            break;
        case sockjs_frame::bad_frame:
            result.failure = "bad sockjs frame";
            break;
    }
    return result;
}

std::shared_ptr<client_transport> make_transport(transport_params params) {
    switch (params.fleet->config.kind) {
        case transport::ws:
            return make_ws_transport(std::move(params), false);
        case transport::sockjs_ws:
            return make_ws_transport(std::move(params), true);
        case transport::sockjs_xhr_polling:
            return make_xhr_transport(std::move(params), false);
        case transport::sockjs_xhr_streaming:
            return make_xhr_transport(std::move(params), true);
    }
    return nullptr;
}

}  // namespace switchyard::fleet

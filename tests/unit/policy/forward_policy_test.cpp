// The proxy's per-request decisions, as tables of cases.
#include "backends/policy/forward_policy.hpp"

#include <gtest/gtest.h>

using namespace switchyard::policy;

TEST(ForwardPolicy, IdempotentMethodsAreTheOnesRfc9110Names) {
    for (const char* m : {"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
        EXPECT_TRUE(idempotent_method(m)) << m;
    for (const char* m : {"POST", "PATCH", "CONNECT", "get", ""})
        EXPECT_FALSE(idempotent_method(m)) << m;
}

TEST(ForwardAttempts, ConnectFailuresRedispatchUntilTheLimitThenGiveUpCharged) {
    forward_attempts a(/*has_body=*/true, /*idempotent=*/false, /*redispatch_max=*/2);
    EXPECT_EQ(a.on_connect_failed(), after_failure::retry_other_backend);
    EXPECT_EQ(a.on_connect_failed(), after_failure::retry_other_backend);
    EXPECT_EQ(a.on_connect_failed(), after_failure::give_up_charged);
    EXPECT_EQ(a.failures(), 3u);
}

TEST(ForwardAttempts, StalePooledConnectionsAreRetriedFreshBeforeTheBackendIsCharged) {
    forward_attempts a(false, true, 3);
    EXPECT_EQ(a.on_send_failed(true), after_failure::retry_fresh_connection);
    EXPECT_EQ(a.on_no_response(true), after_failure::retry_fresh_connection);
    EXPECT_EQ(a.failures(), 0u) << "a stale keep-alive connection is not a health signal";
    // Past max_stale_retries the backend itself is suspected.
    EXPECT_EQ(a.on_send_failed(true), after_failure::retry_other_backend);
    EXPECT_EQ(a.failures(), 1u);
}

TEST(ForwardAttempts, TableOfSendAndResponseFailures) {
    struct row {
        bool has_body, idempotent, reused, send;  // send: failure while sending, else no answer
        after_failure expect;
    };
    const row rows[] = {
        // A body cannot be replayed: never retried.
        {true, false, false, true, after_failure::give_up_passive_error},
        {true, false, true, true, after_failure::give_up},
        {true, true, false, false, after_failure::give_up_passive_error},
        {true, true, true, false, after_failure::give_up},
        // Bodiless and idempotent: retried elsewhere when the answer never came.
        {false, true, false, false, after_failure::retry_other_backend},
        {false, true, false, true, after_failure::retry_other_backend},
        // Bodiless POST on a fresh connection: it may have been processed, so no replay.
        {false, false, false, false, after_failure::give_up_passive_error},
        // ... but a pooled connection may have died before the request reached the backend.
        {false, false, true, false, after_failure::retry_fresh_connection},
        // Sending failed outright: nothing was processed, a bodiless request goes elsewhere.
        {false, false, false, true, after_failure::retry_other_backend},
    };
    for (const auto& r : rows) {
        forward_attempts a(r.has_body, r.idempotent, 3);
        const auto got = r.send ? a.on_send_failed(r.reused) : a.on_no_response(r.reused);
        EXPECT_EQ(got, r.expect) << "body=" << r.has_body << " idempotent=" << r.idempotent
                                 << " reused=" << r.reused << " send=" << r.send;
    }
}

TEST(ForwardPolicy, ClientConnectionKeptOnlyWhenNothingForbidsIt) {
    EXPECT_TRUE(keep_client_after_own_answer(true, false, false));
    EXPECT_FALSE(keep_client_after_own_answer(true, true, false)) << "unread body";
    EXPECT_FALSE(keep_client_after_own_answer(true, false, true)) << "draining";
    EXPECT_FALSE(keep_client_after_own_answer(false, false, false));
    EXPECT_TRUE(keep_client_after_response(true, false, false, false));
    EXPECT_FALSE(keep_client_after_response(true, true, false, false)) << "upgrade";
    EXPECT_FALSE(keep_client_after_response(true, false, true, false)) << "draining";
    EXPECT_FALSE(keep_client_after_response(true, false, false, true)) << "body ends at close";
}

TEST(ForwardPolicy, OnlyServerSide5xxChargesTheBackendAndOnlyWhenAskedTo) {
    EXPECT_TRUE(status_charges_backend(500, true));
    EXPECT_TRUE(status_charges_backend(503, true));
    EXPECT_FALSE(status_charges_backend(501, true));
    EXPECT_FALSE(status_charges_backend(505, true));
    EXPECT_FALSE(status_charges_backend(404, true));
    EXPECT_FALSE(status_charges_backend(500, false));
}

TEST(ForwardPolicy, SockjsSessionIdIsTheSecondSegmentOfASessionPath) {
    EXPECT_EQ(sockjs_session_id("/sockjs/123/abc/xhr", "/sockjs"), "abc");
    EXPECT_EQ(sockjs_session_id("/sockjs/123/abc/xhr_send?t=1", "/sockjs"), "abc");
    EXPECT_EQ(sockjs_session_id("/sockjs/0/s-1/websocket", "/sockjs"), "s-1");
    EXPECT_EQ(sockjs_session_id("/chat/9/x/eventsource", "/chat"), "x");
    for (const char* t : {"/sockjs/info", "/sockjs/websocket", "/sockjs/1/abc", "/sockjs//abc/xhr",
                          "/sockjs/1/abc/xhr/more", "/other/1/abc/xhr", "/sockjsx/1/abc/xhr",
                          "/sockjs/1/a.b/xhr", "/sockjs/iframe.html", "/"})
        EXPECT_FALSE(sockjs_session_id(t, "/sockjs")) << t;
    EXPECT_FALSE(sockjs_session_id("/sockjs/1/abc/xhr", ""));
}

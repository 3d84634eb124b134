// The proxy's per-request decisions, as tables of cases.
#include "backends/policy/forward_policy.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <optional>
#include <string_view>

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

TEST(ForwardPolicy, AnswerWithoutBackendTable) {
    struct row {
        bool capped, keep_alive, has_body, draining;
        unsigned status;
        std::string_view body;
        bool keep;
        unsigned retry_after_s;
    };
    const row rows[] = {
        // A reconnect storm: come back later, and the connection closes whatever the client
        // wanted.
        {true, true, false, false, 503, "503 backends busy, retry\n", false, 1},
        {true, false, true, true, 503, "503 backends busy, retry\n", false, 1},
        // No live backend: plain 503, kept open only when nothing forbids it.
        {false, true, false, false, 503, "503 no backend available\n", true, 0},
        {false, true, true, false, 503, "503 no backend available\n", false, 0},
        {false, true, false, true, 503, "503 no backend available\n", false, 0},
        {false, false, false, false, 503, "503 no backend available\n", false, 0},
    };
    for (const auto& r : rows) {
        const auto a = answer_without_backend(r.capped, r.keep_alive, r.has_body, r.draining);
        const auto where = ::testing::Message()
                           << "capped=" << r.capped << " keep_alive=" << r.keep_alive
                           << " body=" << r.has_body << " draining=" << r.draining;
        EXPECT_EQ(a.status, r.status) << where;
        EXPECT_EQ(a.body, r.body) << where;
        EXPECT_EQ(a.keep, r.keep) << where;
        EXPECT_EQ(a.retry_after_s, r.retry_after_s) << where;
    }
}

TEST(ForwardPolicy, BrokenBodyAnswersTable) {
    struct row {
        body_fault fault;
        unsigned status;  // 0: nothing is sent
        std::string_view body;
    };
    const row rows[] = {
        {body_fault::deadline_passed, 408, "408 request body timeout\n"},
        {body_fault::too_large, 413, "413 request body too large\n"},
        {body_fault::malformed, 400, "400 malformed request body\n"},
        {body_fault::gone, 0, ""},
    };
    for (const auto& r : rows) {
        const auto a = answer_body_fault(r.fault);
        if (r.status == 0) {
            EXPECT_FALSE(a.has_value()) << static_cast<int>(r.fault);
            continue;
        }
        ASSERT_TRUE(a.has_value()) << static_cast<int>(r.fault);
        EXPECT_EQ(a->status, r.status);
        EXPECT_EQ(a->body, r.body);
        EXPECT_FALSE(a->keep) << "the rest of a broken body is unknown: the connection closes";
        EXPECT_EQ(a->retry_after_s, 0u);
    }
}

TEST(ForwardPolicy, ContinueAnsweredByTheBalancerOnlyForABodyAndTheExactToken) {
    struct row {
        bool has_body;
        std::string_view expect;
        bool answers;
    };
    const row rows[] = {
        {true, "100-continue", true},
        {true, "100-Continue", true},
        {true, "100-CONTINUE", true},
        {false, "100-continue", false},
        {true, "", false},
        {true, "100-continue ", false},
        {true, "100-continuex", false},
        {true, "200-continue", false},
        {true, "100", false},
    };
    for (const auto& r : rows)
        EXPECT_EQ(answers_continue_itself(r.has_body, r.expect), r.answers)
            << "body=" << r.has_body << " expect='" << r.expect << "'";
}

TEST(ForwardPolicy, SessionRoutingKeyNeedsStickyAndAPrefix) {
    struct row {
        bool sticky;
        std::string_view prefix, target;
        std::optional<std::string_view> key;
    };
    const row rows[] = {
        {true, "/sockjs", "/sockjs/1/abc/xhr", "abc"},
        {true, "/sockjs", "/sockjs/1/abc/xhr_send?t=1", "abc"},
        {false, "/sockjs", "/sockjs/1/abc/xhr", std::nullopt},  // --no-sticky: no affinity
        {true, "", "/sockjs/1/abc/xhr", std::nullopt},          // SockJS routing off
        {true, "/sockjs", "/sockjs/info", std::nullopt},
        {true, "/sockjs", "/other/1/abc/xhr", std::nullopt},
    };
    for (const auto& r : rows)
        EXPECT_EQ(session_routing_key(r.sticky, r.prefix, r.target), r.key)
            << "sticky=" << r.sticky << " prefix='" << r.prefix << "' target=" << r.target;
}

TEST(ForwardPolicy, WhatFollowsAResponseHeaderTable) {
    // A tunnel only when an upgrade was asked for and accepted.
    EXPECT_TRUE(opens_tunnel(true, 101));
    EXPECT_FALSE(opens_tunnel(true, 200)) << "a refused upgrade is relayed as a response";
    EXPECT_FALSE(opens_tunnel(true, 400));
    EXPECT_FALSE(opens_tunnel(false, 101)) << "a 101 nobody asked for opens nothing";

    struct cookie_row {
        bool sticky, chooser_wants, sets;
    };
    for (const auto& r : std::initializer_list<cookie_row>{
             {true, true, true}, {true, false, false}, {false, true, false}, {false, false, false}})
        EXPECT_EQ(sets_affinity_cookie(r.sticky, r.chooser_wants), r.sets)
            << "sticky=" << r.sticky << " chooser_wants=" << r.chooser_wants;

    struct framing_row {
        bool done, chunked, has_length, ends_at_close;
    };
    for (const auto& r : std::initializer_list<framing_row>{{false, false, false, true},
                                                            {true, false, false, false},
                                                            {false, true, false, false},
                                                            {false, false, true, false},
                                                            {false, true, true, false}})
        EXPECT_EQ(body_ends_at_close(r.done, r.chunked, r.has_length), r.ends_at_close)
            << "done=" << r.done << " chunked=" << r.chunked << " length=" << r.has_length;

    EXPECT_TRUE(upstream_reusable(true, true));
    EXPECT_FALSE(upstream_reusable(false, true)) << "the backend said close";
    EXPECT_FALSE(upstream_reusable(true, false)) << "unread response bytes would poison it";
    EXPECT_FALSE(upstream_reusable(false, false));
}

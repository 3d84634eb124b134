// The relay's subscription core (policy::hub) over the bus's history (policy::channel_log),
// driven as the relay drives them, under random sequences of subscribe (fresh or resuming
// from the last seq the client has, or from a seq the cluster never gave), the history answer
// that completes a subscription (arriving late, so live messages buffer meanwhile), publish,
// unsubscribe, disconnect and reconnect-with-resume.
// Invariants, per client and channel: no message twice, in seq order; after a subscription
// completes, every later message arrives with no gap; a resume delivers everything after the
// resume point that the history still holds and reports a gap exactly when it no longer does;
// the history holds contiguous seqs ending at the latest, within its entry limit and byte
// budget, and its byte count is the sum of what it holds.
#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "backends/policy/channel_log.hpp"
#include "backends/policy/hub.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "tests/fuzz/fuzz_input.hpp"

using namespace switchyard::policy;
using switchyard::fuzz::fuzz_input;

namespace {

constexpr std::size_t clients = 4;
const std::string channel_names[] = {"global", "room-1", "room-2"};

/// What a client has on one channel, as the relay's client sees it.
struct view {
    bool subscribed = false;  ///< the hub has a membership (pending or synced)
    bool synced = false;
    std::uint64_t last = 0;               ///< last seq received (what a reconnect resumes from)
    std::uint64_t lost_until = 0;         ///< a reported gap: seqs up to here are gone for good
    std::optional<std::uint64_t> resume;  ///< what the pending subscription resumes from
    std::optional<log_range> history;     ///< the history read, answered later
};

struct world {
    channel_log log;
    hub h;
    std::map<std::pair<subscriber_id, std::string>, view> views;
    std::map<std::pair<std::string, std::uint64_t>, std::size_t> bytes_of;
    std::vector<subscriber_id> overflowed;

    world(std::size_t history_max, std::size_t bytes_max, std::size_t pending_max)
        : log(history_max, bytes_max), h(pending_max) {}

    void receive(subscriber_id sub, const std::string& ch, std::uint64_t seq) {
        view& v = views[{sub, ch}];
        FUZZ_CHECK(v.subscribed && v.synced);
        FUZZ_CHECK(seq > v.last);  // never twice, never out of order
        v.last = seq;
    }

    void check_log(const std::string& ch) {
        const log_range all = log.after(ch, 0);
        FUZZ_CHECK(all.latest == log.latest(ch));
        FUZZ_CHECK(all.entries.size() <= log.history_max());
        if (all.entries.empty()) {
            FUZZ_CHECK(all.oldest == all.latest + 1);
            return;
        }
        FUZZ_CHECK(all.oldest == all.entries.front().seq);
        FUZZ_CHECK(all.entries.back().seq == all.latest);
        for (std::size_t i = 1; i < all.entries.size(); ++i)
            FUZZ_CHECK(all.entries[i].seq == all.entries[i - 1].seq + 1);
    }

    void check_bytes(std::size_t bytes_max) {
        std::size_t held = 0;
        std::size_t entries = 0;
        for (const auto& ch : channel_names) {
            for (const auto& e : log.after(ch, 0).entries) {
                held += bytes_of.at({ch, e.seq});
                ++entries;
            }
        }
        FUZZ_CHECK(held == log.history_bytes());
        if (bytes_max > 0)
            FUZZ_CHECK(held <= bytes_max || entries == 1);
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz_input in(data, size);
    const std::size_t history_max = 1 + in.below(8);
    const std::size_t bytes_max = in.below(4) == 0 ? 0 : in.below(64);
    const std::size_t pending_max = 1 + in.below(6);
    world w(history_max, bytes_max, pending_max);

    for (std::size_t step = 0; step < 512 && !in.empty(); ++step) {
        const std::size_t op = in.below(7);
        const subscriber_id sub = 1 + in.below(clients);
        const std::string& ch = channel_names[in.below(3)];
        view& v = w.views[{sub, ch}];
        switch (op) {
            case 0: {  // subscribe: fresh, resuming from what it has, or from a seq never given
                const std::size_t how = in.below(3);
                std::optional<std::uint64_t> resume;
                if (how == 1)
                    resume = v.last;
                else if (how == 2)
                    resume = w.log.latest(ch) + 1 + in.below(4);
                const bool added = w.h.subscribe(sub, ch, resume);
                FUZZ_CHECK(added == !v.subscribed);
                if (added) {
                    v.subscribed = true;
                    v.synced = false;
                    v.resume = resume;
                    v.history.reset();
                    if (resume)
                        v.last = *resume;
                }
                break;
            }
            case 6:  // the relay reads the history; live messages keep coming until it answers
                v.history = w.log.after(ch, v.resume.value_or(w.log.latest(ch)));
                break;
            case 1: {  // the history answer arrives: the subscription completes
                if (!v.history)
                    v.history = w.log.after(ch, v.resume.value_or(w.log.latest(ch)));
                const log_range r = *v.history;
                v.history.reset();
                const bool was_pending = v.subscribed && !v.synced;
                const std::optional<std::uint64_t> resumed = v.resume;
                const std::uint64_t had = resumed.value_or(0);
                auto result = w.h.on_synced(sub, ch, r.entries, r.oldest, r.latest);
                FUZZ_CHECK(result.stale == !was_pending);
                if (result.stale)
                    break;
                v.synced = true;
                if (result.resume_beyond_latest) {
                    FUZZ_CHECK(resumed && had > r.latest);
                    v.last = 0;  // starts from now, as without resume
                }
                std::uint64_t expect = result.deliver.empty() ? 0 : result.deliver.front().seq;
                if (!result.deliver.empty() && !result.resume_beyond_latest && resumed) {
                    // A resume continues right after the point, or right after the reported gap.
                    FUZZ_CHECK(expect == had + 1 ||
                               (result.missing && expect == result.missing->oldest));
                }
                if (result.missing)
                    FUZZ_CHECK(resumed && result.missing->requested == had &&
                               result.missing->oldest > had + 1);
                if (!resumed) {
                    v.last = 0;  // a fresh subscription has nothing of this channel yet
                    // ... and starts right after the latest seq the history read saw.
                    FUZZ_CHECK(result.deliver.empty() || expect == r.latest + 1);
                }
                for (const auto& e : result.deliver) {
                    FUZZ_CHECK(e.seq == expect++);  // no gap inside what is delivered
                    w.receive(sub, ch, e.seq);
                }
                FUZZ_CHECK(result.subscribed_seq == w.h.last_seq(sub, ch));
                v.last = result.subscribed_seq;
                v.lost_until = result.missing ? result.missing->oldest - 1 : 0;
                break;
            }
            case 2: {  // publish
                const std::size_t bytes = in.below(32);
                const std::uint64_t seq = w.log.append(ch, nullptr, bytes);
                w.bytes_of[{ch, seq}] = bytes;
                const hub_entry entry{seq, nullptr};
                w.h.on_message(
                    ch, entry,
                    [&](subscriber_id s) {
                        const view& got = w.views[{s, ch}];
                        // A synced subscriber misses nothing: each live message is the next one.
                        FUZZ_CHECK(got.last == 0 || seq == std::max(got.last, got.lost_until) + 1);
                        w.receive(s, ch, seq);
                    },
                    [&](subscriber_id s) { w.overflowed.push_back(s); });
                for (subscriber_id s : w.overflowed) {  // the shell closes slow consumers after
                    w.h.remove(s);
                    for (const auto& name : channel_names)
                        w.views[{s, name}].subscribed = false;
                }
                w.overflowed.clear();
                w.check_log(ch);
                break;
            }
            case 3:  // unsubscribe
                FUZZ_CHECK(w.h.unsubscribe(sub, ch) == v.subscribed);
                v.subscribed = false;
                break;
            case 4:  // disconnect: every subscription goes, the client keeps its last seqs
                w.h.remove(sub);
                for (const auto& name : channel_names)
                    w.views[{sub, name}].subscribed = false;
                break;
            case 5:  // a new client takes this id's place: nothing received yet
                w.h.remove(sub);
                for (const auto& name : channel_names)
                    w.views[{sub, name}] = view{};
                break;
        }
        FUZZ_CHECK(w.h.is_subscribed(sub, ch) == w.views[{sub, ch}].subscribed);
        w.check_bytes(bytes_max);
    }
    return 0;
}

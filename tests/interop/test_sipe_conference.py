#!/usr/bin/env python3
"""Three pidgin-sipe users hold a group conversation through parley's Focus and IM MCU
(issue 7: [MS-CONFBAS] focus factory and Focus, [MS-CONFIM] IM MCU, RFC 4575 roster).

Through the headless libpurple driver (sipe_client.py), with every user signed in over TLS
with NTLM and alice's server-stored list holding bob, carol and dave:
  1. alice starts a chat with bob (the buddy menu's "New chat": SERVICE addConference to
     her focus factory, INVITE addUser to the Focus, SUBSCRIBE to the roster, INVITE to
     the IM MCU, and an ms-conf-invite INVITE that bob's client accepts and follows);
  2. alice invites carol: all three are in every roster, alice as its leader;
  3. each sends a message; the other two get it from the right sender (Ms-Sender);
  4. carol leaves: alice and bob see her go, and go on talking;
  5. alice locks the conference: dave, invited, cannot join (403 from the Focus); she
     unlocks it;
  6. alice removes bob (deleteUser): bob is disconnected (the MCU's BYE), and alice's
     roster no longer has him;
  7. when alice leaves, the conference ends and leaves a record in the store: organizer,
     each participant with join and leave times, and the message count.
Skips (passes, printing SKIPPED) when pidgin-sipe or libpurple-dev are not installed.
"""

import re
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from harness import ParleyServer, check, info, step  # noqa: E402
import sipe_client  # noqa: E402
from sipe_client import SipeClient  # noqa: E402

D = harness.DOMAIN
USERS = {f"alice@{D}": "Alice-pw-1", f"bob@{D}": "Bob-pw-2", f"carol@{D}": "Carol-pw-3",
         f"dave@{D}": "Dave-pw-4"}
ALICE, BOB, CAROL, DAVE = (f"{u}@{D}" for u in ("alice", "bob", "carol", "dave"))
SIGNED_IN = re.compile(r"^(SIGNED-IN|CONNECTION-ERROR .*)$")
T = 10 * harness.TIME_SCALE


def sign_in(srv, name: str, user: str) -> SipeClient:
    client = SipeClient(name, srv, user, USERS[user], transport="tls", auth="ntlm",
                        unsafe_debug=True, ca=srv.ca_path)
    client.start()
    outcome = client.wait_for(SIGNED_IN, 30 * harness.TIME_SCALE).group(1)
    check(outcome == "SIGNED-IN", f"{name} signs in", client.describe())
    return client


def roster(client: SipeClient, chat: int, want: set, deadline: float = T) -> dict:
    """The chat's members once they are exactly `want` (bare AORs), or the last seen."""
    end = time.monotonic() + deadline
    users = {}
    while time.monotonic() < end:
        users = {u.removeprefix("sip:"): op for u, op in client.chat_users(chat).items()}
        if set(users) == want:
            break
        time.sleep(0.2)
    return users


def main() -> None:
    why_not = sipe_client.sipe_unavailable()
    if why_not:
        step("pidgin-sipe group chat")
        info(f"SKIPPED: pidgin-sipe cannot be driven here ({why_not}); nothing ran")
        return
    sipe_client.build_all()
    with ParleyServer("sipe-conference", users=USERS) as srv:
        for buddy in (BOB, CAROL, DAVE):
            added = srv.cli("contacts", "add", ALICE, f"sip:{buddy}")
            check(added.returncode == 0, f"parley contacts add alice {buddy}", added.describe())
        alice = sign_in(srv, "alice", ALICE)
        bob = sign_in(srv, "bob", BOB)
        carol = sign_in(srv, "carol", CAROL)
        dave = sign_in(srv, "dave", DAVE)
        for b in (BOB, CAROL, DAVE):
            alice.wait_for(rf"^BUDDY-ADDED sip:{re.escape(b)} ", 15, from_start=True)

        step("alice starts a chat with bob (New chat): both are in it")
        alice.chat_new(BOB)
        a_chat, name = alice.wait_chat_joined(T)
        check(True, f"alice's chat {a_chat} ({name}) opened")
        b_chat, _ = bob.wait_chat_joined(T)
        check(True, f"bob joined the conference (chat {b_chat})")
        alice.wait_chat_user_op(a_chat, ALICE, T, from_start=True)
        check(True, "alice leads the conference (presenter)")

        step("alice invites carol: three in every roster")
        alice.chat_invite(a_chat, CAROL)
        c_chat, _ = carol.wait_chat_joined(T)
        everyone = {ALICE, BOB, CAROL}
        for who, client, chat in (("alice", alice, a_chat), ("bob", bob, b_chat),
                                  ("carol", carol, c_chat)):
            users = roster(client, chat, everyone)
            check(set(users) == everyone, f"{who}'s roster: {sorted(users)}")
        check(roster(bob, b_chat, everyone).get(ALICE) is True, "bob sees alice as the leader")

        step("each sends a message; the other two get it from the right sender")
        chats = {"alice": (alice, a_chat, ALICE), "bob": (bob, b_chat, BOB),
                 "carol": (carol, c_chat, CAROL)}
        for author, (client, chat, aor) in chats.items():
            text = f"hello from {author}"
            client.chat_send(chat, text)
            for other, (oc, ochat, _) in chats.items():
                if other == author:
                    continue
                sender, got = oc.wait_chat_msg(ochat, aor, text, T)
                check(got == text, f"{other} got {author}'s message from {sender}")

        step("carol leaves: alice and bob see her go and go on talking")
        carol.chat_leave(c_chat)
        alice.wait_chat_user_left(a_chat, CAROL, T)
        bob.wait_chat_user_left(b_chat, CAROL, T)
        check(set(roster(alice, a_chat, {ALICE, BOB})) == {ALICE, BOB},
              "alice's roster is alice and bob")
        bob.chat_send(b_chat, "just us now")
        alice.wait_chat_msg(a_chat, BOB, "just us now", T)
        check(True, "bob's next message reaches alice")
        time.sleep(0.5)
        check(not carol.seen(r"^CHAT-MSG .* just us now"), "carol, gone, did not get it")

        step("alice locks the conference: dave, invited, cannot join; she unlocks it")
        alice.chat_lock(a_chat)
        alice.wait_chat_locked(a_chat, True, T)
        alice.chat_invite(a_chat, DAVE)
        time.sleep(3 * harness.TIME_SCALE)
        check(not dave.seen(r"^CHAT-JOINED "), "dave did not get into the locked conference")
        refused = [m for m in dave.sip_messages(sent=False) if m.startswith("SIP/2.0 403")]
        check(any("Conference Locked" in m.splitlines()[0] for m in refused),
              "the Focus answered dave's join (INVITE addUser) with 403 Conference Locked",
              "\n".join(m.splitlines()[0] for m in dave.sip_messages(sent=False)[-10:]))
        check(set(roster(alice, a_chat, {ALICE, BOB})) == {ALICE, BOB},
              "the roster is still alice and bob")
        alice.chat_unlock(a_chat)
        alice.wait_chat_locked(a_chat, False, T)
        check(True, "the conference is unlocked")

        step("alice removes bob: he is disconnected and leaves her roster")
        alice.chat_remove(a_chat, BOB)
        how = bob.wait_chat_left(b_chat, T)
        check(how == "disconnected", f"bob's chat ended: {how}")
        alice.wait_chat_user_left(a_chat, BOB, T)
        check(set(roster(alice, a_chat, {ALICE})) == {ALICE}, "alice's roster is alice alone")

        alice.chat_leave(a_chat)
        for c in (alice, bob, carol, dave):
            c.close()
        time.sleep(0.5)
        log = srv.log_path.read_text(errors="replace")
        ended = [line for line in log.splitlines() if "conference" in line and "ended" in line]
        check(bool(ended), f"the conference ended: {ended[-1] if ended else '-'}")
        srv.check_running()

        step("the meeting left a record: organizer, participants with times, messages")
        srv.stop()
        db = next(srv.data_dir.rglob("*.db"), None)
        check(db is not None, f"parley's database is in {srv.data_dir}")
        with sqlite3.connect(db) as conn:
            records = conn.execute("SELECT record_id, organizer, started_at, ended_at, messages "
                                   "FROM conference_records").fetchall()
            check(len(records) == 1, f"one conference record: {records}")
            record_id, organizer, started, ended_at, messages = records[0]
            check(organizer == ALICE and messages == 4 and started <= ended_at,
                  f"organizer {organizer}, {messages} messages, {ended_at - started} ms long")
            people = conn.execute("SELECT aor, joined_at, left_at FROM "
                                  "conference_record_participants WHERE record_id = ? "
                                  "ORDER BY position", (record_id,)).fetchall()
            info(f"participants: {people}")
            check({p[0] for p in people} == {ALICE, BOB, CAROL},
                  "alice, bob and carol took part (dave never got in)")
            check(all(started <= j <= left <= ended_at for _, j, left in people),
                  "each joined and left within the meeting")
            live = conn.execute("SELECT COUNT(*) FROM conferences").fetchone()[0]
            check(live == 0, f"the ended conference is no longer kept as live ({live})")


if __name__ == "__main__":
    harness.run_test(main, deadline=120)

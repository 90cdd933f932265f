"""The pieces of bench/bench.py (Parley and Kamailio side by side under SIPp load).

    common    paths, the SIP domain, log()
    procs     starting and stopping processes by PID; CPU and memory from /proc
    users     the bench users: SIPp injection files, Parley's user database, Kamailio's table
    servers   Parley and Kamailio as servers under test on free loopback ports
    probe     the latency probe: a small SIP UAC/UAS of our own, timed with monotonic_ns
    sipp      running SIPp and reading its statistics and error events
    measure   scenarios, the rate search, the latency step, memory per binding
    report    the markdown table

Standard library only (Python 3.11).
"""

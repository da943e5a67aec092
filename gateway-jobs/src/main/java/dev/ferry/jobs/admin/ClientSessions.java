package dev.ferry.jobs.admin;

import dev.ferry.core.session.LiveTransfers;
import dev.ferry.core.session.NodeSessions;
import dev.ferry.core.session.SessionSlots;
import dev.ferry.core.session.TransferRates;

/**
 * What the session commands read: this node's sessions and their open files, the throughput, and
 * (when nodes share the store, else null) the other nodes' sessions; {@code node}: this node's name.
 */
public record ClientSessions(SessionSlots slots, LiveTransfers transfers, TransferRates rates, NodeSessions others,
    String node) {}

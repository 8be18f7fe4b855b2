package io.whatsappoutbox.jdbc;

import java.util.List;

/**
 * What a cancel by business key did.
 *
 * @param cancelled the messages now CANCELLED, by id in ascending order
 * @param inFlight the matching messages left alone because a dispatcher holds them (SENDING, or claimed
 *     while the cancel ran): they may still be sent
 */
public record CancelResult(List<Long> cancelled, List<Long> inFlight) {

    public CancelResult {
        cancelled = List.copyOf(cancelled);
        inFlight = List.copyOf(inFlight);
    }
}

-- Pacing shared by every dispatcher instance on this database (opt-in: JdbcOutbox.Builder.sharedPacing):
-- one row per sending number, its next free send position. A batch takes the positions its
-- messages need in one statement, spaced 1/rate second apart from next_at (or from now when that is
-- past), none beyond the pacing wait, and moves next_at past them; granted_from and granted are the
-- last grant, which the statement returns. UNLOGGED: the positions are only good for seconds, a
-- crash that empties the table frees them again, which risks at most the overshoot of the positions
-- granted just before it. One row per number: nothing to clean up.
CREATE UNLOGGED TABLE whatsapp_pacing (
    sender_id    text        PRIMARY KEY,
    next_at      timestamptz NOT NULL,
    rate         int         NOT NULL,
    granted_from timestamptz NOT NULL,
    granted      int         NOT NULL
);

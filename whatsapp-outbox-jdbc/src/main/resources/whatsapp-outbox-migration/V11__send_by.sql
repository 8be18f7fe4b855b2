-- A message's send-by deadline: past it, it is never sent and ends in the dead letter as EXPIRED.
-- The partial index holds only queued messages that have one, for the maintenance's sweep; the
-- claim reads the column with the row and pays nothing for messages without a deadline.
ALTER TABLE outbound_message ADD COLUMN send_by timestamptz;
CREATE INDEX outbound_message_send_by ON outbound_message (send_by) WHERE status = 'QUEUED' AND send_by IS NOT NULL;

// Package webhooks is the hub's front door and its pipeline: the HTTP
// receivers for every platform, the durable inbox they write to, the asynq
// worker that turns a stored delivery into a domain change, and the relay and
// sweeper that make sure nothing accepted is ever lost.
//
// The path of one delivery: a receiver caps and reads the raw body, verifies
// it, and calls Pipeline.Accept, which commits the delivery to the inbox in
// Postgres and only then enqueues an asynq task whose TaskID is the delivery
// id. The worker decodes the delivery with the Decoder registered for its
// source and applies the resulting commands in one transaction that also
// marks the delivery processed. Redis may lose tasks (it keeps nothing on
// disk here): the sweeper re-enqueues deliveries and outbox rows that have
// waited too long, and the store's row lock makes a second run a no-op.
package webhooks

package tickets

// Command is a domain change decoded from a webhook delivery. The store
// applies a delivery's commands and marks the delivery processed in one
// transaction, so a delivery changes tickets exactly once.
type Command interface{ command() }

// UpdateTicket patches the ticket named by Ref (id, number or T-number).
type UpdateTicket struct {
	Ref   string
	Patch Patch
}

// AddMessage adds a message to the ticket named by Ref.
type AddMessage struct {
	Ref     string
	Message NewMessage
}

// LinkOrder links an order to the ticket named by Ref.
type LinkOrder struct {
	Ref   string
	Order OrderRef
}

func (NewTicket) command()    {}
func (UpdateTicket) command() {}
func (AddMessage) command()   {}
func (LinkOrder) command()    {}

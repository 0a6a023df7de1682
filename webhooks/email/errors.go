package email

import (
	"errors"

	conn "hub/connectors/email"
)

func asSendError(err error, target **conn.SendError) bool { return errors.As(err, target) }

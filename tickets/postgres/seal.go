package postgres

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"

	"hub/tickets"
)

// sealVersion prefixes sealed secrets so the scheme can change later.
const sealVersion = 1

// sealer encrypts connection secrets at rest with AES-256-GCM. The key is
// derived from HUB_SECRET_KEY with SHA-256 under a fixed label, so any
// length of passphrase gives a full-strength key.
type sealer struct{ aead cipher.AEAD }

func newSealer(secret string) (*sealer, error) {
	if secret == "" {
		return nil, nil
	}
	key := sha256.Sum256([]byte("hub connection secrets v1\x00" + secret))
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead}, nil
}

var errNoSecretKey = tickets.Invalid("HUB_SECRET_KEY",
	"HUB_SECRET_KEY is not set: the hub will not store credentials unencrypted (set it, or configure the connection through its environment variables)")

// seal encrypts secrets; nil or empty secrets seal to nil.
func (s *sealer) seal(secrets map[string]string, aad string) ([]byte, error) {
	if len(secrets) == 0 {
		return nil, nil
	}
	if s == nil {
		return nil, errNoSecretKey
	}
	plain, err := json.Marshal(secrets)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	out := append([]byte{sealVersion}, nonce...)
	// The connection's identity is authenticated data: a sealed blob copied
	// onto another connection's row does not open.
	return s.aead.Seal(out, nonce, plain, []byte(aad)), nil
}

func (s *sealer) open(blob []byte, aad string) (map[string]string, error) {
	if len(blob) == 0 {
		return map[string]string{}, nil
	}
	if s == nil {
		return nil, errNoSecretKey
	}
	n := s.aead.NonceSize()
	if len(blob) < 1+n || blob[0] != sealVersion {
		return nil, errors.New("sealed secrets: unknown format")
	}
	plain, err := s.aead.Open(nil, blob[1:1+n], blob[1+n:], []byte(aad))
	if err != nil {
		return nil, fmt.Errorf("sealed secrets: cannot open (was HUB_SECRET_KEY changed?)")
	}
	var secrets map[string]string
	if err := json.Unmarshal(plain, &secrets); err != nil {
		return nil, fmt.Errorf("sealed secrets: %w", err)
	}
	return secrets, nil
}

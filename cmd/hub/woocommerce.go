package main

import "context"

// woocommerceConfig is the WooCommerce connector's part of the configuration.
type woocommerceConfig struct{}

func loadWooCommerceConfig(getenv func(string) string) (woocommerceConfig, error) {
	return woocommerceConfig{}, nil
}

// wireWooCommerce connects the WooCommerce connector: routes, decoders, tasks, follow-ups.
func (a *App) wireWooCommerce(ctx context.Context) error { return nil }

package rules

import "testing"

func TestDetectLanguage(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"Where is my order? I have been waiting for two weeks and it has not arrived yet.", "en"},
		{"Hi, can you please send me the invoice for my last order?", "en"},
		{"Hallo, wo bleibt meine Bestellung? Ich habe noch keine Versandbestätigung bekommen.", "de"},
		{"Die Jacke ist zu groß, ich möchte sie umtauschen. Danke!", "de"},
		{"Bonjour, je n'ai toujours pas reçu ma commande. Pouvez-vous vérifier ?", "fr"},
		{"Le colis est arrivé endommagé, je voudrais un remboursement. Merci", "fr"},
		{"Hola, mi pedido todavía no ha llegado. ¿Dónde está?", "es"},
		{"El pago fue rechazado pero el dinero se cobró de mi tarjeta, gracias", "es"},
		{"Order #1001", ""},              // too little to tell
		{"", ""},                         // nothing
		{"Die Hard DVD with extras", ""}, // one German-looking word is not German
	} {
		if got := DetectLanguage(tc.text); got != tc.want {
			t.Errorf("DetectLanguage(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

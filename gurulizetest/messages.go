// messages.go: the messages the fake answers with, in English and, for a
// request with lang=tr, in Turkish of the fake's own wording.

package gurulizetest

import "github.com/gurulize/gurulize-go"

// The messages the fake answers with. messageRequestReceived and
// messageInvalidCredentials are the provider's documented English texts;
// messageMethodNotAllowed and messageNotFound are the fake's own.
const (
	messageRequestReceived    = "Request Received"
	messageInvalidCredentials = "User Information Is Invalid"
	messageMethodNotAllowed   = "Method Not Allowed"
	messageNotFound           = "Not Found"
)

// The reasons the fake gives in "Invalid Parameter (x): why" messages.
// reasonNotAPhoneNumber is the provider's documented text; the others are
// the fake's own.
const (
	reasonNotAPhoneNumber = "Not a phone number"
	reasonNotNumeric      = "Must be numerical"
	reasonNotPositive     = "Must be positive"
	reasonNotMilliseconds = "Must be Unix time in milliseconds, not seconds"
	reasonUnknownType     = "Must be video"
	reasonUnknownEndHow   = "Must be AUTOMATIC or BY_HOST"
	reasonUnknownEndWhen  = "Must be END_TIME or END_OF_DURATION"
	reasonUnknownLanguage = "Must be en or tr"
	reasonTooLarge        = "Too large"
)

// missingParameterMessage returns the provider's message for a missing
// parameter: "Missing Parameter (name)".
func missingParameterMessage(name string) string { return "Missing Parameter (" + name + ")" }

// invalidParameterMessage returns the provider's message for an invalid
// parameter: "Invalid Parameter (name): why".
func invalidParameterMessage(name, why string) string {
	return "Invalid Parameter (" + name + "): " + why
}

// The provider documents no Turkish text, so these are the fake's own
// wording, in the shape of the English messages: the parameter in
// parentheses, as a client that classifies by it needs.
const (
	turkishMissingParameter   = "Eksik parametre"              // Missing Parameter
	turkishInvalidParameter   = "Geçersiz parametre"           // Invalid Parameter
	turkishInvalidCredentials = "Kullanıcı bilgileri geçersiz" // User Information Is Invalid
)

// turkishReasons holds the fake's Turkish wording of each reason but
// reasonUnknownLanguage, which a request with lang=tr cannot earn.
var turkishReasons = map[string]string{
	reasonNotAPhoneNumber: "Telefon numarası değil",
	reasonNotNumeric:      "Sayısal olmalı",
	reasonNotPositive:     "Sıfırdan büyük olmalı",
	reasonNotMilliseconds: "Saniye değil, milisaniye cinsinden Unix zamanı olmalı",
	reasonUnknownType:     "video olmalı",
	reasonUnknownEndHow:   "AUTOMATIC veya BY_HOST olmalı",
	reasonUnknownEndWhen:  "END_TIME veya END_OF_DURATION olmalı",
	reasonTooLarge:        "Çok büyük",
}

// refusal is why the fake refuses a request: a missing parameter, an
// invalid one, or credentials that name no account.
type refusal struct {
	param       string // the parameter missing, or invalid when why is set
	why         string // for an invalid parameter: one of the Reason constants
	credentials bool   // the credentials name no account of the fake
}

// message words r in lang: Turkish for "tr", English otherwise (as the
// provider does when lang is absent).
func (r refusal) message(lang string) string {
	turkish := gurulize.Language(lang) == gurulize.Turkish
	switch {
	case r.credentials && turkish:
		return turkishInvalidCredentials
	case r.credentials:
		return messageInvalidCredentials
	case r.why == "" && turkish:
		return turkishMissingParameter + " (" + r.param + ")"
	case r.why == "":
		return missingParameterMessage(r.param)
	case turkish:
		return turkishInvalidParameter + " (" + r.param + "): " + turkishReasons[r.why]
	}
	return invalidParameterMessage(r.param, r.why)
}

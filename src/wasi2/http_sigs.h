/* wasi2: the wasi:http 0.2 function types (as sigs.h: comp_ctype_print's text, parameter
 * names left out, resources unnumbered). S_HEC is wasi:http/types' error-code. */
#ifndef WELD_WASI2_HTTP_SIGS_H
#define WELD_WASI2_HTTP_SIGS_H

#define S_HEC \
  "(variant (case \"DNS-timeout\") (case \"DNS-error\" (record (field \"rcode\" (option string)) " \
  "(field \"info-code\" (option u16)))) (case \"destination-not-found\") " \
  "(case \"destination-unavailable\") (case \"destination-IP-prohibited\") " \
  "(case \"destination-IP-unroutable\") (case \"connection-refused\") " \
  "(case \"connection-terminated\") (case \"connection-timeout\") " \
  "(case \"connection-read-timeout\") (case \"connection-write-timeout\") " \
  "(case \"connection-limit-reached\") (case \"TLS-protocol-error\") " \
  "(case \"TLS-certificate-error\") " \
  "(case \"TLS-alert-received\" (record (field \"alert-id\" (option u8)) " \
  "(field \"alert-message\" (option string)))) (case \"HTTP-request-denied\") " \
  "(case \"HTTP-request-length-required\") (case \"HTTP-request-body-size\" (option u64)) " \
  "(case \"HTTP-request-method-invalid\") (case \"HTTP-request-URI-invalid\") " \
  "(case \"HTTP-request-URI-too-long\") (case \"HTTP-request-header-section-size\" (option u32)) " \
  "(case \"HTTP-request-header-size\" (option (record (field \"field-name\" (option string)) " \
  "(field \"field-size\" (option u32))))) (case \"HTTP-request-trailer-section-size\" (option u32)) " \
  "(case \"HTTP-request-trailer-size\" (record (field \"field-name\" (option string)) " \
  "(field \"field-size\" (option u32)))) (case \"HTTP-response-incomplete\") " \
  "(case \"HTTP-response-header-section-size\" (option u32)) " \
  "(case \"HTTP-response-header-size\" (record (field \"field-name\" (option string)) " \
  "(field \"field-size\" (option u32)))) (case \"HTTP-response-body-size\" (option u64)) " \
  "(case \"HTTP-response-trailer-section-size\" (option u32)) " \
  "(case \"HTTP-response-trailer-size\" (record (field \"field-name\" (option string)) " \
  "(field \"field-size\" (option u32)))) (case \"HTTP-response-transfer-coding\" (option string)) " \
  "(case \"HTTP-response-content-coding\" (option string)) (case \"HTTP-response-timeout\") " \
  "(case \"HTTP-upgrade-failed\") (case \"HTTP-protocol-error\") (case \"loop-detected\") " \
  "(case \"configuration-error\") (case \"internal-error\" (option string)))"
#define S_HE "(variant (case \"invalid-syntax\") (case \"forbidden\") (case \"immutable\"))"
#define S_METHOD \
  "(variant (case \"get\") (case \"head\") (case \"post\") (case \"put\") (case \"delete\") (case \"connect\") " \
  "(case \"options\") (case \"trace\") (case \"patch\") (case \"other\" string))"
#define S_SCHEME "(variant (case \"HTTP\") (case \"HTTPS\") (case \"other\" string))"

#endif

/* wasi2: the WASI 0.2 function types, as comp_ctype_print writes them with parameter
 * names left out and resources unnumbered (`(resource)`): a host function runs only on
 * an import of exactly its type (wasi2.c checks it at the first call). */
#ifndef WELD_WASI2_SIGS_H
#define WELD_WASI2_SIGS_H

#define S_RES "(resource)"
#define S_BORROW "(borrow (resource))"
#define S_OWN "(own (resource))"
#define S_EC                                                                                                      \
  "(enum \"access\" \"would-block\" \"already\" \"bad-descriptor\" \"busy\" \"deadlock\" \"quota\" \"exist\" "    \
  "\"file-too-large\" \"illegal-byte-sequence\" \"in-progress\" \"interrupted\" \"invalid\" \"io\" "              \
  "\"is-directory\" \"loop\" \"too-many-links\" \"message-size\" \"name-too-long\" \"no-device\" \"no-entry\" "  \
  "\"no-lock\" \"insufficient-memory\" \"insufficient-space\" \"not-directory\" \"not-empty\" "                   \
  "\"not-recoverable\" \"unsupported\" \"no-tty\" \"no-such-device\" \"overflow\" \"not-permitted\" \"pipe\" "    \
  "\"read-only\" \"invalid-seek\" \"text-file-busy\" \"cross-device\")"
#define S_SE "(variant (case \"last-operation-failed\" (own (resource))) (case \"closed\"))"
#define S_DT "(record (field \"seconds\" u64) (field \"nanoseconds\" u32))"
#define S_DTYPE                                                                                                    \
  "(enum \"unknown\" \"block-device\" \"character-device\" \"directory\" \"fifo\" \"symbolic-link\" "             \
  "\"regular-file\" \"socket\")"
#define S_STAT                                                                                                     \
  "(record (field \"type\" " S_DTYPE ") (field \"link-count\" u64) (field \"size\" u64) "                         \
  "(field \"data-access-timestamp\" (option " S_DT ")) (field \"data-modification-timestamp\" (option " S_DT      \
  ")) (field \"status-change-timestamp\" (option " S_DT ")))"
#define S_PATHFLAGS "(flags \"symlink-follow\")"
#define S_OPENFLAGS "(flags \"create\" \"directory\" \"exclusive\" \"truncate\")"
#define S_DFLAGS                                                                                                   \
  "(flags \"read\" \"write\" \"file-integrity-sync\" \"data-integrity-sync\" \"requested-write-sync\" "           \
  "\"mutate-directory\")"
#define S_NEWTS "(variant (case \"no-change\") (case \"now\") (case \"timestamp\" " S_DT "))"
#define S_ADVICE "(enum \"normal\" \"sequential\" \"random\" \"will-need\" \"dont-need\" \"no-reuse\")"
#define S_HASH "(record (field \"lower\" u64) (field \"upper\" u64))"
#define S_DIRENT "(record (field \"type\" " S_DTYPE ") (field \"name\" string))"

#define S_P(t) " (param " t ")"
#define S_R(t) " (result " t ")"
#define S_FN(params, result) "(func" params result ")"
/* result<T, error-code> and result<T, stream-error> */
#define S_FS(t) S_R("(result " t " (error " S_EC "))")
#define S_FS0 S_R("(result (error " S_EC "))")
#define S_ST(t) S_R("(result " t " (error " S_SE "))")
#define S_ST0 S_R("(result (error " S_SE "))")

#endif

// Published vectors for the note formats, each constant with the place it is published.

/**
 * golang.org/x/mod/sumdb/note: the package documentation of note.go and note_test.go
 * (TestNewVerifier, TestNewSigner, TestSign, TestOpen).
 */
export const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
export const PETER_SKEY =
  'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
export const PETER_KEY_HASH = 0xc74f20a3;
export const PETER_TEXT =
  'If you think cryptography is the answer to your problem,\n' +
  "then you don't know what your problem is.\n";
export const PETER_SIG_LINE =
  '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
export const PETER_NOTE = `${PETER_TEXT}\n${PETER_SIG_LINE}`;

/** golang.org/x/mod/sumdb/note note_test.go (TestVerifierList, TestOpen): a second signer. */
export const ENOCH_VKEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
export const ENOCH_KEY_HASH = 0xaf0cfe78;
export const ENOCH_SIG_LINE =
  '— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';

/** note_test.go TestNewVerifier: manglings whose key hash was adjusted so that only the key is wrong. */
export const WRONG_LENGTH_VKEY =
  'PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==';
export const UNKNOWN_TYPE_VKEY =
  'PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';

/** C2SP signed-note §Verifier keys, Example: this vkey verifies this note. */
export const FOO_VKEY = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
export const FOO_NOTE =
  'This is an example message.\n\n' +
  '— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';

/** C2SP signed-note, opening example: a note whose text holds a blank line (its key is not given). */
export const QUASIMODO_TEXT =
  'Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n';
export const QUASIMODO_NOTE =
  `${QUASIMODO_TEXT}\n` +
  '— quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n';

/** C2SP tlog-checkpoint, opening example (and tlog-cosignature's): the body and the log's line. */
export const SOFA_CHECKPOINT =
  'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
export const SOFA_LOG_LINE =
  '— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n';

/** C2SP tlog-cosignature, opening example: the witness's cosignature line on that checkpoint. */
export const SOFA_WITNESS_LINE =
  '— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n';

/** C2SP tlog-cosignature §Ed25519 signed message: the message for that checkpoint at this time. */
export const SOFA_COSIGNED_AT = 1679315147;
export const SOFA_COSIGNED_MESSAGE = `cosignature/v1\ntime 1679315147\n${SOFA_CHECKPOINT}`;

/**
 * github.com/transparency-dev/formats note/note_cosigv1_test.go (TestCoSigV1NewVerifier): a
 * standard type 0x01 vkey, and a live witness's native type 0x04 cosignature vkey.
 */
export const TEST_ED25519_VKEY = 'TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6';
export const REMORA_COSIGNER_VKEY =
  'remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2';

/** The same file, TestCosignatureTimestamp: a cosignature's base64 and the timestamp it carries. */
export const TD_COSIGNATURE_BASE64 =
  'ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/iF0u4vanlqJyocWODBt97w9uL+8qT7S5gxEHWWOworDcFiEBYJXORmnFBOBA==';
export const TD_COSIGNATURE_TIMESTAMP = 1727964367;

/**
 * SWIFT MT (FIN): parse and build the message byte for byte, validate MT103, MT202, MT202 COV,
 * MT940 and MT950 (field formats, structure, network rules), and map them to and from the payment
 * model.
 *
 *   parseFin(text): Checked<FinMessage>                    buildFin(message): string
 *   parseFinFile(text): Checked<FinFileEntry[]>            (several messages, an ACK before one)
 *   validateFin(message): Issue[]
 *   creditTransferToMt103(model, header?): Checked<Built>  mt103ToCreditTransfer(message): Checked<Mapped<CreditTransfer>>
 *   institutionTransferToMt202(model, header?)             mt202ToInstitutionTransfer(message)     (COV when `underlying`)
 *   statementToMt940(model, header?) / statementToMt950    mtStatementToStatement(message)         (940 or 950)
 *   Built = { message, text, notes: TranslationNote[] };  Mapped<T> = { model: T, notes }
 *
 * Suggested changes to ../payment/model.ts (not made here; the mapping works around each):
 * - CreditTransfer.instructionCodes holds 23B and 23E in one list: here a bank operation code
 *   (CRED, CRTS, SPAY, SPRI, SSTD) in first place is 23B, the rest 23E. A separate
 *   `bankOperationCode` would say it plainly.
 * - The model has no settlement account (MX SttlmInf/SttlmAcct = MT 53B with an account alone):
 *   such a 53B is read as INDA (or INGA with /C/) with a note, and not written.
 * - Balance.type ITBD is both 60M (intermediate opening) and 62M (intermediate closing): here the
 *   position in `balances` tells them apart (opening first, closing second).
 * - StatementEntry has no funds code (61 subfield 4) and no place for MT940 :21:.
 */
export * from './fin';
export * from './format';
export * from './fields';
export * from './checks';
export * from './structure';
export * from './validate';
export * from './rules-mt103';
export * from './text';
export * from './parties';
export * from './headers';
export * from './model-checks';
export * from './mt103-checks';
export * from './mt103';
export * from './mt202';
export * from './statement';

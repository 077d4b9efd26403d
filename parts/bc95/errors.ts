/**
 * `+CME ERROR: <n>` codes with AT+CMEE=1 (numeric), and their names, for logs and for the driver's decisions.
 *
 * 0–100 and 159 are 3GPP TS 27.007 §9.2 (the BC95-G&BC68 AT Commands Manual's error table repeats them); 512 and
 * up are the Quectel/Neul additions the same table lists for the BC95 family's own commands.
 */

export const CME = Object.freeze({
  OPERATION_NOT_ALLOWED: 3,
  OPERATION_NOT_SUPPORTED: 4,
  MEMORY_FAILURE: 23,
  NO_NETWORK_SERVICE: 30,
  NETWORK_TIMEOUT: 31,
  INCORRECT_PARAMETERS: 50,
  COMMAND_DISABLED: 51,
  COMMAND_ABORTED: 52,
  UNKNOWN: 100,
  UPLINK_BUSY: 159,
  REQUIRED_PARAMETER_NOT_CONFIGURED: 512,
  TUP_NOT_REGISTERED: 513,
  AT_INTERNAL_ERROR: 514,
  CID_IS_ACTIVE: 515,
  INCORRECT_STATE_FOR_COMMAND: 516,
  CID_IS_INVALID: 517,
  CID_IS_NOT_ACTIVE: 518,
  DEACTIVATE_LAST_ACTIVE_CID: 520,
  CID_IS_NOT_DEFINED: 521,
  UART_PARITY_ERROR: 522,
  UART_FRAME_ERROR: 523,
  MT_NOT_POWERED_ON: 524,
});

const NAMES: Readonly<Record<number, string>> = Object.freeze({
  0: "phone failure",
  1: "no connection to phone",
  2: "phone-adaptor link reserved",
  3: "operation not allowed",
  4: "operation not supported",
  10: "SIM not inserted",
  13: "SIM failure",
  14: "SIM busy",
  23: "memory failure",
  30: "no network service",
  31: "network timeout",
  32: "network not allowed, emergency calls only",
  50: "incorrect parameters",
  51: "command implemented but currently disabled",
  52: "command aborted by user",
  100: "unknown error",
  159: "uplink busy / flow control",
  512: "required parameter not configured",
  513: "TUP not registered",
  514: "AT internal error",
  515: "CID is active",
  516: "incorrect state for command",
  517: "CID is invalid",
  518: "CID is not active",
  520: "deactivate the last active CID",
  521: "CID is not defined",
  522: "UART parity error",
  523: "UART frame error",
  524: "MT not powered on",
});

/** "no network service (30)", or "CME error 777" for a code the table does not know. */
export function cmeName(code: number): string {
  const name = NAMES[code];
  return name === undefined ? `CME error ${code}` : `${name} (${code})`;
}

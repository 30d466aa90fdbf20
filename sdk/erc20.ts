/**
 * What the SDK needs of the stablecoin beyond viem's `erc20Abi` (approve, allowance, balanceOf, transfer, decimals,
 * name, symbol): the EIP-2612 permit reads and the EIP-5267 domain, and the custom errors an OpenZeppelin 5 token
 * reverts with (ERC-6093), so that a failed transfer or permit decodes to a named error. Any ERC-20 works; these are
 * standard interfaces, not the ABI of a particular token.
 */
import { parseAbi } from "viem";

/** EIP-2612 `nonces` and `DOMAIN_SEPARATOR`, and EIP-5267 `eip712Domain`. */
export const erc20PermitAbi = parseAbi([
  "function DOMAIN_SEPARATOR() view returns (bytes32)",
  "function nonces(address owner) view returns (uint256)",
  "function eip712Domain() view returns (bytes1 fields, string name, string version, uint256 chainId, address verifyingContract, bytes32 salt, uint256[] extensions)",
]);

/** The errors of an OpenZeppelin 5 ERC20 with ERC20Permit (ERC-6093, ERC-2612, nonces, ECDSA). */
export const erc20ErrorsAbi = parseAbi([
  "error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed)",
  "error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed)",
  "error ERC20InvalidApprover(address approver)",
  "error ERC20InvalidReceiver(address receiver)",
  "error ERC20InvalidSender(address sender)",
  "error ERC20InvalidSpender(address spender)",
  "error ERC2612ExpiredSignature(uint256 deadline)",
  "error ERC2612InvalidSigner(address signer, address owner)",
  "error InvalidAccountNonce(address account, uint256 currentNonce)",
  "error ECDSAInvalidSignature()",
  "error ECDSAInvalidSignatureLength(uint256 length)",
  "error ECDSAInvalidSignatureS(bytes32 s)",
]);

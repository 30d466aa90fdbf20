// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC4626} from "@openzeppelin/contracts/token/ERC20/extensions/ERC4626.sol";

/// @notice Test-only: a plain OpenZeppelin ERC-4626 vault over `asset_`, the yardstick for subscription gas
/// (`scripts/bench.ts`). No fees, no hooks, no overrides.
contract ReferenceERC4626 is ERC4626 {
    constructor(IERC20 asset_) ERC20("Reference Vault", "RVLT") ERC4626(asset_) {}
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Test-only stablecoin (6 decimals) that behaves plainly until a test turns on a hostile mode: a fee of 1 %
/// burnt on every transfer between accounts, or a call made from inside every `transferFrom` (a re-entry attempt),
/// whose revert it bubbles up.
contract HostileStablecoin is ERC20 {
    bool public feeOn;
    address public reenterTarget;
    bytes public reenterData;

    constructor() ERC20("Hostile USD", "HUSD") {}

    function decimals() public pure override returns (uint8) {
        return 6;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function setFee(bool on) external {
        feeOn = on;
    }

    /// @notice From now on every `transferFrom` first calls `target` with `data` (zero target: stop).
    function setReentry(address target, bytes calldata data) external {
        (reenterTarget, reenterData) = (target, data);
    }

    function transferFrom(address from, address to, uint256 value) public override returns (bool) {
        address target = reenterTarget;
        if (target != address(0)) {
            // solhint-disable-next-line avoid-low-level-calls
            (bool ok, bytes memory ret) = target.call(reenterData);
            if (!ok) {
                // solhint-disable-next-line no-inline-assembly
                assembly ("memory-safe") {
                    revert(add(ret, 0x20), mload(ret))
                }
            }
        }
        return super.transferFrom(from, to, value);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (feeOn && from != address(0) && to != address(0)) {
            uint256 fee = value / 100;
            super._update(from, address(0), fee);
            value -= fee;
        }
        super._update(from, to, value);
    }
}

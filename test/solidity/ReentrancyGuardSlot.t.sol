// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {TransientSlot} from "@openzeppelin/contracts/utils/TransientSlot.sol";

import {Assertions} from "./utils/Assertions.sol";

/// @dev `Deal.distribute` sets and clears OpenZeppelin's reentrancy guard by hand, on `_reentrancyGuardStorageSlot()`
/// (the statement is returned from assembly, where a modifier's exit code would not run): this probe checks that the
/// slot that function names is the one `nonReentrant` itself sets and clears.
contract GuardProbe is ReentrancyGuardTransient {
    function seenInside() external nonReentrant returns (bool) {
        return TransientSlot.tload(TransientSlot.asBoolean(_reentrancyGuardStorageSlot()));
    }

    function seenOutside() external view returns (bool) {
        return TransientSlot.tload(TransientSlot.asBoolean(_reentrancyGuardStorageSlot()));
    }

    function slot() external pure returns (bytes32) {
        return _reentrancyGuardStorageSlot();
    }
}

contract ReentrancyGuardSlotTest is Assertions {
    function test_dealGuardSlot_isOpenZeppelinsGuard() public {
        GuardProbe probe = new GuardProbe();
        assertTrue(probe.seenInside(), "the slot Deal sets is not the one nonReentrant sets");
        assertTrue(!probe.seenOutside(), "nonReentrant left its slot set");
        // The ERC-7201 derivation of the name OpenZeppelin uses gives the same slot.
        bytes32 derived =
            keccak256(abi.encode(uint256(keccak256("openzeppelin.storage.ReentrancyGuard")) - 1)) &
                ~bytes32(uint256(0xff));
        assertTrue(derived == probe.slot(), "slot mismatch");
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {TransientSlot} from "@openzeppelin/contracts/utils/TransientSlot.sol";

import {Assertions} from "./utils/Assertions.sol";

/// @dev `Deal.distribute` sets and clears OpenZeppelin's reentrancy guard by hand, on the slot Deal names
/// `REENTRANCY_GUARD_SLOT`: this probe reads that slot from inside OpenZeppelin's own `nonReentrant`.
contract GuardProbe is ReentrancyGuardTransient {
    bytes32 internal constant DEAL_GUARD_SLOT = 0x9b779b17422d0df92223018b32b4d1fa46e071723d6817e2486d003becc55f00;

    function seenInside() external nonReentrant returns (bool) {
        return TransientSlot.tload(TransientSlot.asBoolean(DEAL_GUARD_SLOT));
    }

    function seenOutside() external view returns (bool) {
        return TransientSlot.tload(TransientSlot.asBoolean(DEAL_GUARD_SLOT));
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
        assertTrue(derived == 0x9b779b17422d0df92223018b32b4d1fa46e071723d6817e2486d003becc55f00, "slot mismatch");
    }
}

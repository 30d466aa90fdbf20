// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IDeal} from "../interfaces/IDeal.sol";

/// @notice Test-only stand-in for a Chainlink Automation forwarder: a contract that calls {IDeal.performUpkeep}
/// on behalf of an upkeep, so it is the `msg.sender` the deal sees (and pays the keeper bounty to).
contract MockAutomationForwarder {
    function forward(IDeal deal, bytes calldata performData) external {
        deal.performUpkeep(performData);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {CreateAddress} from "../../contracts/libraries/CreateAddress.sol";

import {Assertions} from "./utils/Assertions.sol";
import {TestBase} from "./utils/Vm.sol";

contract Empty {}

/*
 * CreateAddress.compute(deployer, nonce) is the address CREATE gives the contract `deployer` creates at account
 * nonce `nonce`: checked against real creations across the one-byte (< 0x80), 0x81 (< 0x100) and 0x82 RLP forms,
 * and against reference values for longer nonces.
 */
contract CreateAddressTest is TestBase, Assertions {
    function test_compute_matchesCreate() public {
        // A contract account starts at nonce 1.
        for (uint256 nonce = 1; nonce <= 300; ++nonce) {
            address predicted = CreateAddress.compute(address(this), nonce);
            assertEq(address(new Empty()), predicted, "created address");
        }
    }

    function test_compute_largeNonces() public pure {
        // Reference values: ethers.getCreateAddress({ from: 0x…01, nonce }).
        address deployer = address(1);
        assertEq(CreateAddress.compute(deployer, 0x100), 0x3Ea92B26D5fF266130CB86bFa0336f3E78eeB1C5, "0x100");
        assertEq(CreateAddress.compute(deployer, 0xffffff), 0x319E15c423A679B30E8Cd1375f2300202381688F, "0xffffff");
        assertEq(CreateAddress.compute(deployer, 0x1000000), 0x1c54590A9C7EbC8F5F814049b759e9Ab4F2e24C4, "2^24");
        assertEq(CreateAddress.compute(deployer, 1 << 40), 0x284CBd628Fb5ecb6252122f126ED009f08a879fe, "2^40");
    }
}

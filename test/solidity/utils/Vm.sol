// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @notice The cheatcodes these tests use, served by Hardhat's Solidity test runner at the standard address.
/// @dev Declared here instead of importing forge-std, whose npm package does not work with Hardhat 3.
interface Vm {
    function warp(uint256 newTimestamp) external;
    function load(address target, bytes32 slot) external view returns (bytes32 data);
    function prank(address msgSender) external;
    function startPrank(address msgSender) external;
    function stopPrank() external;
    function assume(bool condition) external pure;
    function expectRevert(bytes4 revertData) external;
    function expectRevert(bytes calldata revertData) external;
    function sign(uint256 privateKey, bytes32 digest) external pure returns (uint8 v, bytes32 r, bytes32 s);
    function addr(uint256 privateKey) external pure returns (address keyAddr);
    function label(address account, string calldata newLabel) external;
}

/// @notice Base of every Solidity test: the cheatcode handle and a few helpers.
abstract contract TestBase {
    Vm internal constant vm = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);
}

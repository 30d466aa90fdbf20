// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TermSheet} from "./ICascadeTypes.sol";

/// @title IDealFactory
/// @notice Creates deals from term sheets in one transaction: a clone of the deal, one tranche token and one
/// offering per tranche, and the deal's registration with the utilization oracle.
interface IDealFactory {
    /// @notice A deal was created. Carries the addresses an indexer needs to follow it; the term sheet is the
    /// `createDeal` call's argument (the transaction's input when an account calls the factory directly), and
    /// `termsHash` is keccak256 of that call's ABI-encoded arguments (`abi.encode(terms)`), so a copy of the term
    /// sheet can be checked against it. The deal's views return every term it keeps.
    event DealCreated(
        uint256 indexed dealId,
        address indexed deal,
        address indexed issuer,
        address stablecoin,
        address[] tokens,
        address[] offerings,
        bytes32 termsHash
    );

    error ZeroAddress();

    /// @notice A clone did not land at the address predicted from the factory's nonce (a chain whose contract
    /// creation differs from Ethereum's).
    error UnexpectedAddress(address created);

    /// @notice `index` is not the index of a deal created by this factory.
    error UnknownDeal(uint256 index);

    function createDeal(TermSheet calldata terms) external returns (address deal);

    function dealCount() external view returns (uint256);

    function dealAt(uint256 index) external view returns (address);

    function deals() external view returns (address[] memory);

    function isDeal(address deal) external view returns (bool);

    function dealImplementation() external view returns (address);

    function tokenImplementation() external view returns (address);

    function offeringImplementation() external view returns (address);

    /// @notice Implementation the per-deal risk engines are cloned from.
    function riskEngineImplementation() external view returns (address);

    function oracle() external view returns (address);
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {TermSheet} from "./ICascadeTypes.sol";

/// @title IDealFactory
/// @notice Creates deals from term sheets in one transaction: a clone of the deal, one tranche token and one
/// offering per tranche, and the deal's registration with the utilization oracle.
///
/// Only the issuer a term sheet names may create its deal: it sends {createDeal} itself, or signs its consent, which
/// anyone may then submit with {createDealWithConsent}. The consent is an EIP-712 signature (domain "Cascade Deal
/// Factory", version "1", this factory on this chain) of `CreateDeal(bytes32 termsHash,uint256 nonce,uint256
/// deadline)`, where `termsHash` is keccak256(abi.encode(terms)) and `nonce` the issuer's next {nonces}; each consent
/// is used once.
/// @dev Warning: an issuer may be an EOA or an ERC-1271 contract (e.g. a Safe); a contract issuer's
/// `isValidSignature` is trusted as its consent.
interface IDealFactory {
    /// @notice A deal was created. Carries the addresses an indexer needs to follow it; the term sheet is the
    /// `createDeal` or `createDealWithConsent` call's first argument (the transaction's input when an account calls
    /// the factory directly), and `termsHash` is keccak256(abi.encode(terms)) — for `createDeal`, keccak256 of the
    /// call's ABI-encoded arguments — so a copy of the term sheet can be checked against it. The deal's views
    /// return every term it keeps.
    event DealCreated(
        uint256 indexed dealId,
        address indexed deal,
        address indexed issuer,
        address stablecoin,
        address[] tokens,
        address[] offerings,
        bytes32 termsHash
    );

    /// @notice The deal `deal`, whose term sheet has equity tiers, pays its equity classes through the equity
    /// waterfall `waterfall` (created with it, after its risk engine); it is their tokens' distributor.
    event EquityWaterfallCreated(address indexed deal, address waterfall);

    /// @notice `issuer`'s consent number `nonce` to create the deal of the term sheet hashed `termsHash` was used;
    /// the issuer's next consent must be signed with `nonce` + 1.
    event IssuerConsentUsed(address indexed issuer, uint256 nonce, bytes32 termsHash);

    error ZeroAddress();

    /// @notice {createDeal} was sent by `caller`, not by the term sheet's `issuer`: another account needs the
    /// issuer's signed consent ({createDealWithConsent}).
    error IssuerConsentRequired(address issuer, address caller);

    /// @notice The issuer's consent was valid until `deadline` (a timestamp), which has passed.
    error ConsentExpired(uint256 deadline);

    /// @notice The signature is not `issuer`'s consent to this term sheet with its current nonce (signed by another
    /// key, for other terms, another factory or chain, or already used).
    error InvalidIssuerSignature(address issuer);

    /// @notice A clone did not land at the address predicted from the factory's nonce (a chain whose contract
    /// creation differs from Ethereum's).
    error UnexpectedAddress(address created);

    /// @notice `index` is not the index of a deal created by this factory.
    error UnknownDeal(uint256 index);

    /// @notice Creates the deal of `terms`; the caller must be `terms.issuer` ({IssuerConsentRequired} otherwise).
    function createDeal(TermSheet calldata terms) external returns (address deal);

    /// @notice Creates the deal of `terms` for its issuer, who signed `signature` (EIP-712, see above) with its next
    /// nonce and `deadline`; anyone may submit it. Consumes the nonce ({IssuerConsentUsed}). Reverts
    /// {ConsentExpired} after `deadline` and {InvalidIssuerSignature} unless the signature is the issuer's (an ECDSA
    /// signature of an EOA, or one its ERC-1271 `isValidSignature` accepts).
    function createDealWithConsent(
        TermSheet calldata terms,
        uint256 deadline,
        bytes calldata signature
    ) external returns (address deal);

    /// @notice The EIP-712 type hash of the issuer's consent:
    /// keccak256("CreateDeal(bytes32 termsHash,uint256 nonce,uint256 deadline)").
    function CREATE_DEAL_TYPEHASH() external view returns (bytes32);

    /// @notice The EIP-712 digest an issuer signs to consent to the term sheet hashed `termsHash`
    /// (keccak256(abi.encode(terms))) with `nonce` until `deadline`.
    function hashCreateDeal(bytes32 termsHash, uint256 nonce, uint256 deadline) external view returns (bytes32);

    /// @notice The nonce `issuer`'s next consent must be signed with (the number of consents it has used).
    function nonces(address issuer) external view returns (uint256);

    function dealCount() external view returns (uint256);

    function dealAt(uint256 index) external view returns (address);

    function deals() external view returns (address[] memory);

    function isDeal(address deal) external view returns (bool);

    function dealImplementation() external view returns (address);

    function tokenImplementation() external view returns (address);

    function offeringImplementation() external view returns (address);

    /// @notice Implementation the per-deal risk engines are cloned from.
    function riskEngineImplementation() external view returns (address);

    /// @notice Implementation the equity waterfalls of deals with several equity classes are cloned from.
    function equityWaterfallImplementation() external view returns (address);

    function oracle() external view returns (address);
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title Roles
/// @notice The access-control role ids of Cascade, in one place: each is the keccak-256 of its name, and a contract
/// that grants or checks a role reads it from here.
library Roles {
    /// @dev The issuer: OpenZeppelin AccessControl's DEFAULT_ADMIN_ROLE of a deal (and of its risk engine's checks).
    bytes32 internal constant ISSUER = 0x00;
    /// @dev Deposits collections into a deal.
    bytes32 internal constant SERVICER = keccak256("cascade.role.servicer");
    /// @dev Pauses a deal and voids reports; also the oracle's per-deal guardian.
    bytes32 internal constant GUARDIAN = keccak256("cascade.role.guardian");
    /// @dev Admin of {GUARDIAN} in a deal: held by no account, so that no one grants or revokes the guardian at will.
    bytes32 internal constant GUARDIAN_ADMIN = keccak256("cascade.role.guardian-admin");
    /// @dev Manages an investor registry's identities and acts on tranche tokens (freeze, forced transfer, recovery).
    bytes32 internal constant COMPLIANCE_AGENT = keccak256("cascade.role.compliance-agent");
    /// @dev Registers deals with the utilization oracle (the factory).
    bytes32 internal constant REGISTRAR = keccak256("cascade.role.registrar");
    /// @dev Publishes rounds of a GPU price-index feed.
    bytes32 internal constant PUBLISHER = keccak256("cascade.role.publisher");
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title ERC-7575: the vault's share token is a separate contract.
interface IERC7575 {
    /// @notice The share token of this vault.
    function share() external view returns (address);
}

/// @title ERC-7540 operators.
interface IERC7540Operator {
    event OperatorSet(address indexed controller, address indexed operator, bool approved);

    function setOperator(address operator, bool approved) external returns (bool);

    function isOperator(address controller, address operator) external view returns (bool status);
}

/// @title ERC-7540 asynchronous deposits.
interface IERC7540Deposit {
    event DepositRequest(
        address indexed controller,
        address indexed owner,
        uint256 indexed requestId,
        address sender,
        uint256 assets
    );

    function requestDeposit(uint256 assets, address controller, address owner) external returns (uint256 requestId);

    function pendingDepositRequest(uint256 requestId, address controller) external view returns (uint256 assets);

    function claimableDepositRequest(uint256 requestId, address controller) external view returns (uint256 assets);
}

using System;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using SafeMigrations;
using Keyring.Infrastructure;

#nullable disable

namespace Keyring.PostgresMigrations.Migrations
{
    /// <inheritdoc />
    [ContractPhase]
    [DbContext(typeof(KeyringDbContext))]
    [Migration("20230215110000_DropLegacyPublicKey")]
    public partial class DropLegacyPublicKey : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "PublicKeyLegacy",
                table: "Organizations");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}

using System;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Keyring.Infrastructure;

#nullable disable

namespace Keyring.PostgresMigrations.Migrations
{
    /// <inheritdoc />
    [DbContext(typeof(KeyringDbContext))]
    [Migration("20230201110000_DropCipherFolders")]
    public partial class DropCipherFolders : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Folders",
                table: "Ciphers");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}

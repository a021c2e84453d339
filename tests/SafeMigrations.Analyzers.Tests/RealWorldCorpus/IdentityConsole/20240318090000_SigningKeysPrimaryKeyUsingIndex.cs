using System;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using SafeMigrations;
using IdentityConsole.EntityFramework;

#nullable disable

namespace IdentityConsole.EntityFramework.PostgreSQL.Migrations
{
    /// <inheritdoc />
    [DbContext(typeof(ConfigurationDbContext))]
    [Migration("20240318090000_SigningKeysPrimaryKeyUsingIndex")]
    public partial class SigningKeysPrimaryKeyUsingIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndexConcurrently(
                name: "PK_SigningKeys",
                table: "SigningKeys",
                columns: new[] { "Id" },
                unique: true);

            migrationBuilder.AddPrimaryKeyUsingIndex(
                name: "PK_SigningKeys",
                table: "SigningKeys",
                column: "Id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}

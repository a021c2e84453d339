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
    [Migration("20240312090000_ClientSecretsFkSetNull")]
    public partial class ClientSecretsFkSetNull : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_ClientSecrets_Clients_ClientId",
                table: "ClientSecrets");

            migrationBuilder.AddForeignKeyNotValid(
                name: "FK_ClientSecrets_Clients_ClientId",
                table: "ClientSecrets",
                column: "ClientId",
                principalTable: "Clients",
                principalColumn: "Id",
                onDelete: ReferentialAction.SetNull);

            migrationBuilder.ValidateConstraint(
                name: "FK_ClientSecrets_Clients_ClientId",
                table: "ClientSecrets");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}

"""Coupon redemption and its reversal: POST /coupons/redeem, POST /coupons/reverse."""
